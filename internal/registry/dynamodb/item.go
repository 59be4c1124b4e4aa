package dynamodb

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// Upstream's item layout: the hash key "k" is the record's
// "name#type#set-identifier", "o" the owner, and "l" a map of the other
// labels (resource, ...), each a string. The table has no range key.
const (
	attrKey    = "k"
	attrOwner  = "o"
	attrLabels = "l"
)

// DynamoDB's limits that the registry's writes must respect.
const (
	maxBatchWrite = 25         // requests in one BatchWriteItem
	maxItemBytes  = 400 * 1024 // one item, names and values
	maxKeyBytes   = 2048       // a partition key value
)

// item is one ownership item as read from the table.
type item struct {
	k      string // the key exactly as stored, to write and delete it
	owner  string
	labels endpoint.Labels // without the owner
}

// canonical is the key under which the registry files records and items:
// the name in lower case without a final dot, as providers report them.
func canonical(k endpoint.Key) endpoint.Key {
	k.DNSName = strings.ToLower(strings.TrimSuffix(k.DNSName, "."))
	return k
}

// keyString renders a record's key as upstream stores it.
func keyString(k endpoint.Key) string {
	k = canonical(k)
	return k.DNSName + "#" + k.RecordType + "#" + k.SetIdentifier
}

// parseKey reads a stored key; the set identifier may itself hold "#".
func parseKey(s string) (endpoint.Key, error) {
	parts := strings.SplitN(s, "#", 3)
	// A name with an empty label ("..", a leading dot, dots only) is no
	// DNS name, and would not be written back as it was read.
	if len(parts) != 3 || parts[0] == "" || strings.HasPrefix(parts[0], ".") || strings.Contains(parts[0], "..") || parts[1] == "" {
		return endpoint.Key{}, fmt.Errorf("key %q is not name#type#set-identifier", s)
	}
	return canonical(endpoint.Key{DNSName: parts[0], RecordType: parts[1], SetIdentifier: parts[2]}), nil
}

// decodeItem reads an item. A label value that is not a string is left
// out rather than failing the whole table.
func decodeItem(m map[string]types.AttributeValue) (endpoint.Key, item, error) {
	ks, ok := m[attrKey].(*types.AttributeValueMemberS)
	if !ok {
		return endpoint.Key{}, item{}, fmt.Errorf("item without a string %q attribute", attrKey)
	}
	k, err := parseKey(ks.Value)
	if err != nil {
		return endpoint.Key{}, item{}, err
	}
	it := item{k: ks.Value, labels: endpoint.Labels{}}
	if o, ok := m[attrOwner].(*types.AttributeValueMemberS); ok {
		it.owner = o.Value
	}
	if l, ok := m[attrLabels].(*types.AttributeValueMemberM); ok {
		for name, v := range l.Value {
			if s, ok := v.(*types.AttributeValueMemberS); ok && name != endpoint.OwnerLabel {
				it.labels.Set(name, s.Value)
			}
		}
	}
	return k, it, nil
}

// encodeItem writes an item in upstream's layout.
func encodeItem(it item) map[string]types.AttributeValue {
	l := make(map[string]types.AttributeValue, it.labels.Len())
	for name, v := range it.labels.All() {
		l[name] = &types.AttributeValueMemberS{Value: v}
	}
	return map[string]types.AttributeValue{
		attrKey:    &types.AttributeValueMemberS{Value: it.k},
		attrOwner:  &types.AttributeValueMemberS{Value: it.owner},
		attrLabels: &types.AttributeValueMemberM{Value: l},
	}
}

// storedLabels are the labels an item keeps: not the owner (it has its
// own attribute), nor exodns's bookkeeping.
func storedLabels(l endpoint.Labels) endpoint.Labels {
	var out endpoint.Labels
	for k, v := range l.All() {
		switch k {
		case endpoint.OwnerLabel, endpoint.NonceLabel, endpoint.HoldLabel, endpoint.OwnershipNoteLabel, endpoint.OwnedRecordLabel:
			continue
		}
		out.Set(k, v)
	}
	return out
}

// itemSize is DynamoDB's size of an item of strings and one map: the
// lengths of attribute names and values, plus 3 bytes per map element
// and 3 for the map itself.
func itemSize(it item) int {
	n := len(attrKey) + len(it.k) + len(attrOwner) + len(it.owner) + len(attrLabels) + 3
	for k, v := range it.labels.All() {
		n += len(k) + len(v) + 3
	}
	return n
}

// checkItem reports an item DynamoDB would refuse.
func checkItem(it item) error {
	if len(it.k) > maxKeyBytes {
		return fmt.Errorf("its key %q has %d bytes; DynamoDB allows %d", it.k[:64]+"...", len(it.k), maxKeyBytes)
	}
	if n := itemSize(it); n > maxItemBytes {
		return fmt.Errorf("its ownership item has %d bytes; DynamoDB allows 400 KB (%d bytes) per item", n, maxItemBytes)
	}
	return nil
}

func sameLabels(a, b endpoint.Labels) bool { return a.Equal(b) }

package dynamodb

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestKeyString(t *testing.T) {
	tests := []struct {
		key  endpoint.Key
		want string
	}{
		{endpoint.Key{DNSName: "app.example.com", RecordType: "A"}, "app.example.com#A#"},
		{endpoint.Key{DNSName: "App.Example.com.", RecordType: "CNAME"}, "app.example.com#CNAME#"},
		{endpoint.Key{DNSName: "w.example.com", RecordType: "AAAA", SetIdentifier: "blue#1"}, "w.example.com#AAAA#blue#1"},
		{endpoint.Key{DNSName: "*.example.com", RecordType: "A"}, "*.example.com#A#"},
	}
	for _, tc := range tests {
		if got := keyString(tc.key); got != tc.want {
			t.Errorf("keyString(%v) = %q, want %q", tc.key, got, tc.want)
		}
		back, err := parseKey(tc.want)
		if err != nil || back != canonical(tc.key) {
			t.Errorf("parseKey(%q) = %v, %v; want %v", tc.want, back, err, canonical(tc.key))
		}
	}
}

func TestParseKeyRejects(t *testing.T) {
	for _, s := range []string{"", "app.example.com", "app.example.com#A", "#A#", "app.example.com##"} {
		if k, err := parseKey(s); err == nil {
			t.Errorf("parseKey(%q) = %v, want an error", s, k)
		}
	}
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"app.example.com#A#", "w.example.com#A#blue", "x#y#z#w", "#", "a##"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := parseKey(s)
		if err != nil {
			return
		}
		// What parses writes back to the same item, up to case.
		if got := keyString(k); !strings.EqualFold(got, canonicalString(s)) {
			t.Fatalf("parseKey(%q) = %v, written back as %q", s, k, got)
		}
	})
}

func canonicalString(s string) string {
	parts := strings.SplitN(s, "#", 3)
	parts[0] = strings.ToLower(strings.TrimSuffix(parts[0], "."))
	return strings.Join(parts, "#")
}

func TestDecodeItem(t *testing.T) {
	m := map[string]types.AttributeValue{
		"k": &types.AttributeValueMemberS{Value: "App.example.com#A#"},
		"o": &types.AttributeValueMemberS{Value: "c1"},
		"l": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"resource": &types.AttributeValueMemberS{Value: "service/default/app"},
			"owner":    &types.AttributeValueMemberS{Value: "forged"},
			"n":        &types.AttributeValueMemberN{Value: "1"},
		}},
	}
	k, it, err := decodeItem(m)
	if err != nil {
		t.Fatal(err)
	}
	if k != (endpoint.Key{DNSName: "app.example.com", RecordType: "A"}) || it.k != "App.example.com#A#" || it.owner != "c1" ||
		it.labels.Len() != 1 || it.labels.Get("resource") != "service/default/app" {
		t.Errorf("decoded %v %+v", k, it)
	}
	back := encodeItem(it)
	if back["k"].(*types.AttributeValueMemberS).Value != "App.example.com#A#" || len(back["l"].(*types.AttributeValueMemberM).Value) != 1 {
		t.Errorf("encoded %v", back)
	}
	if _, _, err := decodeItem(map[string]types.AttributeValue{"k": &types.AttributeValueMemberN{Value: "1"}}); err == nil {
		t.Error("a numeric key was accepted")
	}
}

func TestStoredLabels(t *testing.T) {
	got := storedLabels(endpoint.NewLabels(endpoint.OwnerLabel, "c1", endpoint.ResourceLabel, "r", endpoint.HoldLabel, "h", "custom", "v"))
	if got.Len() != 2 || got.Get(endpoint.ResourceLabel) != "r" || got.Get("custom") != "v" {
		t.Errorf("stored %v", got)
	}
}

func TestCheckSchema(t *testing.T) {
	hashK := types.KeySchemaElement{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}
	defS := types.AttributeDefinition{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}
	tests := []struct {
		name string
		desc *types.TableDescription
		want string
	}{
		{"upstream's", &types.TableDescription{KeySchema: []types.KeySchemaElement{hashK}, AttributeDefinitions: []types.AttributeDefinition{defS}}, ""},
		{"range key", &types.TableDescription{KeySchema: []types.KeySchemaElement{hashK, {AttributeName: aws.String("r"), KeyType: types.KeyTypeRange}}}, "sort (range) key"},
		{"other hash key", &types.TableDescription{KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}}}, `hash key "k"`},
		{"numeric k", &types.TableDescription{KeySchema: []types.KeySchemaElement{hashK}, AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeN}}}, "must be S"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkSchema("t", tc.desc)
			if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		args []string
		want string // error text; "" is valid
	}{
		{nil, ""},
		{[]string{"--dynamodb-table=my.table-1"}, ""},
		{[]string{"--dynamodb-table=ab"}, "3 to 255"},
		{[]string{"--dynamodb-table=a/b/c"}, "only letters"},
		{[]string{"--dynamodb-resync-interval=-1s"}, "negative"},
	}
	for _, tc := range tests {
		cfg := DefaultConfig()
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		cfg.BindFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	if d := DefaultConfig(); d.Table != "external-dns" {
		t.Errorf("default table %q, want upstream's external-dns", d.Table)
	}
}

func TestCheckItem(t *testing.T) {
	if err := checkItem(item{k: "a#A#", owner: "o", labels: endpoint.NewLabels("resource", "r")}); err != nil {
		t.Error(err)
	}
	if err := checkItem(item{k: strings.Repeat("a", 2049) + "#A#"}); err == nil {
		t.Error("an over-long key passed")
	}
	if err := checkItem(item{k: "a#A#", labels: endpoint.NewLabels("x", strings.Repeat("v", 400*1024))}); err == nil {
		t.Error("an over-large item passed")
	}
}

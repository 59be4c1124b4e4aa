package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/exodns/exodns/internal/endpoint"
)

// API is the part of the DynamoDB API the registry uses; *dynamodb.Client
// implements it.
type API interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// The IAM actions the registry needs, named in access-denied errors.
const iamActions = "dynamodb:DescribeTable, dynamodb:Scan, dynamodb:PutItem, dynamodb:BatchWriteItem (and dynamodb:CreateTable to create a missing table)"

// explain adds what to do to an error of the API.
func (r *Registry) explain(what string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "AccessDeniedException" || ae.ErrorCode() == "UnrecognizedClientException") {
		return fmt.Errorf("dynamodb registry: %s on table %q: %w; the registry needs %s", what, r.table, err, iamActions)
	}
	return fmt.Errorf("dynamodb registry: %s on table %q: %w", what, r.table, err)
}

// tableWait bounds the wait for a new table to become ACTIVE.
const tableWait = 2 * time.Minute

// ensureTable checks the table has upstream's key schema, creating it when
// it is missing (unless dry-running, when a missing table reads as empty).
// It reports whether the table exists.
func (r *Registry) ensureTable(ctx context.Context) (bool, error) {
	out, err := r.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.table)})
	var missing *types.ResourceNotFoundException
	switch {
	case errors.As(err, &missing) && r.opts.DryRun:
		r.log.Info("dry-run: the DynamoDB table does not exist and is not created", "table", r.table)
		return false, nil
	case errors.As(err, &missing):
		if err := r.createTable(ctx); err != nil {
			return false, err
		}
		return true, nil
	case err != nil:
		return false, r.explain("DescribeTable", err)
	}
	return true, checkSchema(r.table, out.Table)
}

// checkSchema requires a string hash key "k" and no range key.
func checkSchema(table string, t *types.TableDescription) error {
	if t == nil {
		return fmt.Errorf("dynamodb registry: table %q: no description", table)
	}
	var hash []string
	for _, k := range t.KeySchema {
		if k.KeyType == types.KeyTypeRange {
			return fmt.Errorf("dynamodb registry: table %q has a sort (range) key %q; the registry needs a table whose only key is the hash key %q of type S", table, aws.ToString(k.AttributeName), attrKey)
		}
		hash = append(hash, aws.ToString(k.AttributeName))
	}
	if len(hash) != 1 || hash[0] != attrKey {
		return fmt.Errorf("dynamodb registry: table %q has the hash key %s; the registry needs the hash key %q of type S", table, strings.Join(hash, ","), attrKey)
	}
	for _, a := range t.AttributeDefinitions {
		if aws.ToString(a.AttributeName) == attrKey && a.AttributeType != types.ScalarAttributeTypeS {
			return fmt.Errorf("dynamodb registry: table %q: attribute %q has type %s; it must be S", table, attrKey, a.AttributeType)
		}
	}
	return nil
}

// createTable creates the table with upstream's schema, billed per request,
// and waits until it is ACTIVE.
func (r *Registry) createTable(ctx context.Context) error {
	r.log.Info("creating the DynamoDB table", "table", r.table)
	_, err := r.api.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(r.table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(attrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(attrKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) { // another replica created it first
		return r.explain("CreateTable", err)
	}
	ctx, cancel := context.WithTimeout(ctx, tableWait)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		out, err := r.api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.table)})
		if err == nil && out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return checkSchema(r.table, out.Table)
		}
		if err != nil && !errors.As(err, new(*types.ResourceNotFoundException)) {
			return r.explain("DescribeTable", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dynamodb registry: table %q is not ACTIVE after %s: %w", r.table, tableWait, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// scan reads every item of the table, consistently.
func (r *Registry) scan(ctx context.Context) (map[endpoint.Key]*item, error) {
	items := map[endpoint.Key]*item{}
	in := &dynamodb.ScanInput{TableName: aws.String(r.table), ConsistentRead: aws.Bool(true)}
	for page := 0; ; page++ {
		out, err := r.api.Scan(ctx, in)
		if err != nil {
			return nil, r.explain("Scan", err)
		}
		for _, m := range out.Items {
			k, it, err := decodeItem(m)
			if err != nil {
				r.log.Warn("ignoring a DynamoDB item that is not an ownership item", "table", r.table, "err", err)
				continue
			}
			items[k] = &it
		}
		if len(out.LastEvaluatedKey) == 0 {
			return items, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// errClaimed is why a claim lost: the item exists with another owner.
var errClaimed = errors.New("another owner holds this name in the DynamoDB table")

// claim writes our item for it unless another owner holds the key: the
// condition makes DynamoDB pick exactly one winner when controllers race.
// from, when set, is the owner the item is taken over from
// (--migrate-from-txt-owner): the write then requires that owner (or us).
func (r *Registry) claim(ctx context.Context, it item, from string) error {
	in := &dynamodb.PutItemInput{
		TableName:                 aws.String(r.table),
		Item:                      encodeItem(it),
		ConditionExpression:       aws.String("attribute_not_exists(#k) OR #o = :o"),
		ExpressionAttributeNames:  map[string]string{"#k": attrKey, "#o": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: it.owner}},
	}
	if from != "" {
		in.ConditionExpression = aws.String("#o = :from OR #o = :o")
		delete(in.ExpressionAttributeNames, "#k")
		in.ExpressionAttributeValues[":from"] = &types.AttributeValueMemberS{Value: from}
	}
	_, err := r.api.PutItem(ctx, in)
	var lost *types.ConditionalCheckFailedException
	if errors.As(err, &lost) {
		return errClaimed
	}
	if err != nil {
		return r.explain("PutItem", err)
	}
	return nil
}

// Batch writes are retried this often when DynamoDB leaves some of them
// unprocessed (throttling), with backoff from batchBackoff.
const (
	batchAttempts = 8
	batchBackoff  = 50 * time.Millisecond
)

// writeBatch puts and deletes items of ours, at most 25 per request, each
// key once, retrying what DynamoDB leaves unprocessed.
func (r *Registry) writeBatch(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), maxBatchWrite)
		chunk := reqs[:n]
		reqs = reqs[n:]
		wait := batchBackoff
		for attempt := 1; ; attempt++ {
			out, err := r.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{r.table: chunk}})
			if err != nil {
				return r.explain("BatchWriteItem", err)
			}
			chunk = out.UnprocessedItems[r.table]
			if len(chunk) == 0 {
				break
			}
			if attempt == batchAttempts {
				return fmt.Errorf("dynamodb registry: BatchWriteItem on table %q: %d writes still unprocessed after %d attempts", r.table, len(chunk), attempt)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("dynamodb registry: BatchWriteItem on table %q: %w", r.table, ctx.Err())
			case <-time.After(wait):
			}
			wait = min(2*wait, 2*time.Second)
		}
	}
	return nil
}

func putRequest(it item) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: encodeItem(it)}}
}

func deleteRequest(k string) types.WriteRequest {
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: k}}}}
}

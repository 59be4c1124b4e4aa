package awssd

import (
	"context"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	sdprovider "github.com/exodns/exodns/internal/provider/awssd"
)

// recorder is a provider that returns fixed records and keeps the changes.
type recorder struct {
	records []*endpoint.Endpoint
	got     *plan.Changes
}

func (r *recorder) Records(context.Context) ([]*endpoint.Endpoint, error) { return r.records, nil }
func (r *recorder) ApplyChanges(_ context.Context, c *plan.Changes) error {
	r.got = c
	return nil
}
func (r *recorder) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return eps, nil
}

func TestRecordsReadDescriptions(t *testing.T) {
	p := &recorder{records: []*endpoint.Endpoint{
		endpoint.New("a.example.com", "A", "192.0.2.1").WithLabel(sdprovider.DescriptionLabel, "heritage=external-dns,external-dns/owner=me,external-dns/resource=service/default/a"),
		endpoint.New("b.example.com", "A", "192.0.2.2").WithLabel(sdprovider.DescriptionLabel, "made by hand"),
		endpoint.New("c.example.com", "A", "192.0.2.3").WithLabel(sdprovider.DescriptionLabel, `"heritage=external-dns,external-dns/owner=other"`),
	}}
	r, err := New(p, "me")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := r.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []endpoint.Labels{
		endpoint.NewLabels(endpoint.OwnerLabel, "me", endpoint.ResourceLabel, "service/default/a"),
		{},
		endpoint.NewLabels(endpoint.OwnerLabel, "other"),
	}
	for i, rec := range recs {
		if rec.Labels.Len() != want[i].Len() || rec.Labels.Get(endpoint.OwnerLabel) != want[i].Get(endpoint.OwnerLabel) || rec.Labels.Get(endpoint.ResourceLabel) != want[i].Get(endpoint.ResourceLabel) {
			t.Errorf("%s: labels %v, want %v", rec.DNSName, rec.Labels, want[i])
		}
	}
}

func TestApplyWritesDescriptions(t *testing.T) {
	p := &recorder{}
	r, _ := New(p, "me")
	create := endpoint.New("a.example.com", "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, "service/default/a").
		WithLabel(endpoint.HoldLabel, "x").WithLabel(endpoint.OwnerLabel, "someone")
	if err := r.ApplyChanges(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{create}}); err != nil {
		t.Fatal(err)
	}
	got := p.got.Create[0].Labels.Get(sdprovider.DescriptionLabel)
	if got != "heritage=external-dns,external-dns/owner=me,external-dns/resource=service/default/a" {
		t.Errorf("description %q: want upstream's, without quotes", got)
	}
	if create.Labels.Get(sdprovider.DescriptionLabel) != "" {
		t.Error("the plan's endpoint was changed")
	}
	theirs := endpoint.New("b.example.com", "A", "192.0.2.2").WithLabel(endpoint.OwnerLabel, "other")
	err := r.ApplyChanges(context.Background(), &plan.Changes{Delete: []*endpoint.Endpoint{theirs}})
	if err == nil || !strings.Contains(err.Error(), `owned by "other"`) {
		t.Errorf("deleting another owner's record: %v", err)
	}
	if _, err := New(p, ""); err == nil {
		t.Error("an empty owner was accepted")
	}
}

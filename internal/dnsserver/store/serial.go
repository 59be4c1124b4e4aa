package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Digest is a hash of a zone's records, independent of the order they were
// written in and of the serial: two stores with the same records give the
// same digest. Replicas compare digests to agree on one serial. Records of
// RFC 2136 updates count too: a replica that took an update serves other
// data than one that did not, so they must not share a serial.
func (s *Store) Digest(zone string) (string, bool) {
	s.mu.RLock()
	zd, ok := s.data[zone]
	if !ok {
		s.mu.RUnlock()
		return "", false
	}
	recs, dyn := zd.records.Sorted(), zd.dynamic.Sorted()
	s.mu.RUnlock()
	h := sha256.New()
	for i, e := range append(recs, dyn...) {
		if i == len(recs) {
			h.Write([]byte("dynamic\n")) // the same record from an update is not the controller's
		}
		targets := slices.Clone([]string(e.Targets))
		slices.Sort(targets)
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%q\x00", e.DNSName, e.RecordType, e.SetIdentifier, e.RecordTTL, targets)
		for _, p := range e.ProviderSpecific {
			h.Write([]byte(p.Name + "=" + strconv.Quote(p.Value) + "\x00"))
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), true
}

// SetSerial gives a zone the serial another replica gave the same
// records, durably. It changes no record.
func (s *Store) SetSerial(zone string, serial uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	zd, ok := s.data[zone]
	if !ok {
		return fmt.Errorf("dnsserver: store: no zone %s", zone)
	}
	if s.db != nil {
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte(bucketSerials))
			if b == nil {
				return fmt.Errorf("bucket %s missing", bucketSerials)
			}
			return b.Put([]byte(zone), encodeSerial(serial))
		})
		if err != nil {
			return fmt.Errorf("dnsserver: store: serial of %s: %w", zone, err)
		}
	}
	zd.serial = serial
	return nil
}

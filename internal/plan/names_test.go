package plan

import (
	"fmt"
	"testing"
)

// TestNameTable fills tables sized for fewer names than they get, so they
// grow several times, and checks every name is found at its slot and no
// other name is.
func TestNameTable(t *testing.T) {
	for _, tt := range []struct{ sizedFor, names int }{{0, 5}, {1, 1000}, {4096, 3000}, {10, 10}} {
		t.Run(fmt.Sprintf("%d/%d", tt.sizedFor, tt.names), func(t *testing.T) {
			tab := newNameTable(tt.sizedFor)
			var slots []slot
			for i := range tt.names {
				name := fmt.Sprintf("svc-%d.example.com", i)
				first, at, tag := tab.find(name, slots)
				if first >= 0 {
					t.Fatalf("%s found before it was put", name)
				}
				slots = append(slots, slot{name: name, next: -1})
				tab.put(at, tag, int32(len(slots)-1), slots)
			}
			if 2*tab.used > len(tab.entries) {
				t.Fatalf("%d names in %d entries", tab.used, len(tab.entries))
			}
			for i := range tt.names {
				if first, _, _ := tab.find(fmt.Sprintf("svc-%d.example.com", i), slots); first != int32(i) {
					t.Fatalf("name %d found at slot %d", i, first)
				}
			}
			if first, _, _ := tab.find("absent.example.com", slots); first >= 0 {
				t.Fatalf("an absent name found at %d", first)
			}
			tab.reset(2)
			if first, _, _ := tab.find("svc-0.example.com", slots); first >= 0 {
				t.Fatal("a reset table still finds names")
			}
		})
	}
}

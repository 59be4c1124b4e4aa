package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestReadOnlyMappings(t *testing.T) {
	const maps = `00400000-01a00000 r-xp 00000000 fd:01 1234 /usr/local/bin/exodns
01a00000-03000000 r--p 01600000 fd:01 1234 /usr/local/bin/exodns
03000000-03100000 rw-p 02c00000 fd:01 1234 /usr/local/bin/exodns
03100000-03200000 rw-p 00000000 00:00 0 
7f0000000000-7f0000001000 r--p 00000000 fd:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000002000-7f0000003000 r-xp 00000000 fd:01 77 /opt/my tools/exodns
7f0000004000-7f0000005000 r-xp 00000000 fd:01 78 /usr/local/bin/exodns (deleted)
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
`
	for _, c := range []struct {
		path string
		want []addrRange
	}{
		{"/usr/local/bin/exodns", []addrRange{{0x400000, 0x1a00000}, {0x1a00000, 0x3000000}}},
		{"/opt/my tools/exodns", []addrRange{{0x7f0000002000, 0x7f0000003000}}},
		{"/usr/local/bin/exodns (deleted)", []addrRange{{0x7f0000004000, 0x7f0000005000}}},
		{"[stack]", nil}, // writable
		{"/nowhere", nil},
	} {
		got, err := readOnlyMappings([]byte(maps), c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %x, want %x", c.path, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: range %d is %x, want %x", c.path, i, got[i], c.want[i])
			}
		}
	}
	if _, err := readOnlyMappings([]byte("zz-yy r--p 0 0:0 1 /x\n"), "/x"); err == nil {
		t.Error("a bad address range was read without an error")
	}
}

// TestReleaseBinaryPages: the test binary, which has run every package's
// init and the tests before this one, holds megabytes of itself
// resident; after releaseBinaryPages, at most half of that remains (what
// the rest of this test touches again comes back a page at a time).
func TestReleaseBinaryPages(t *testing.T) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	before := residentKiB(t, exe)
	if before < 1024 {
		t.Skipf("only %d KiB of %s resident: nothing to show", before, exe)
	}
	n, err := releaseBinaryPages()
	if err != nil {
		t.Fatal(err)
	}
	after := residentKiB(t, exe)
	t.Logf("%s: %d KiB resident, %d KiB after releasing %d MiB of mappings", exe, before, after, n>>20)
	if after > before/2 {
		t.Errorf("%d KiB of the binary resident after the release, %d before: want at most half", after, before)
	}
}

// residentKiB sums the Rss of the read-only mappings of path in
// /proc/self/smaps.
func residentKiB(t *testing.T, path string) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total, ours := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m, ok, _ := parseMapping(line); ok {
			ours = m.path == path && !m.writable
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok && ours {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("smaps line %q: %v", line, err)
			}
			total += kb
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}

// TestCommandReleasesBinaryPages: the command gives the binary's pages
// back after its first run (the heap returner's started, wired as the
// controller's AfterRun); a returner built without it would leave them.
func TestCommandReleasesBinaryPages(t *testing.T) {
	out, err := run(t, "--source=manifest", "--manifest-path=../../examples", "--provider=inmemory",
		"--inmemory-zone=example.com", "--txt-owner-id=t", "--once", "--log-format=json", "--log-level=debug")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := strings.Count(out, `"msg":"the binary's pages read while starting were given back"`); n != 1 {
		t.Errorf("the binary's pages given back %d times, want once:\n%s", n, out)
	}
}

// TestReleaseBinaryPagesOfReplacedBinary: an upgrade replaces the binary
// under the running process (a new file renamed over it, as package
// managers and image tools do). The process still maps the old file,
// which /proc names "PATH (deleted)", and must still give its pages back.
// The test runs a copy of itself as the process, and replaces the copy
// once it runs.
func TestReleaseBinaryPagesOfReplacedBinary(t *testing.T) {
	if os.Getenv("EXODNS_REPLACED_BINARY_CHILD") == "1" {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // replaced now
		exe, err := os.Readlink("/proc/self/exe")
		if err != nil || !strings.HasSuffix(exe, " (deleted)") {
			fmt.Printf("child: the binary is %q (%v), not replaced\n", exe, err)
			os.Exit(3)
		}
		before := residentKiB(t, exe)
		_, err = releaseBinaryPages()
		after := residentKiB(t, exe)
		fmt.Printf("child: %d KiB of %q resident, %d KiB after the release (%v)\n", before, exe, after, err)
		if err != nil || before < 1024 || after > before/2 {
			os.Exit(4)
		}
		os.Exit(0)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "exodns.test")
	copyFile(t, self, bin)
	cmd := exec.Command(bin, "-test.run=^TestReleaseBinaryPagesOfReplacedBinary$")
	cmd.Env = append(os.Environ(), "EXODNS_REPLACED_BINARY_CHILD=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil { // returns once the copy runs
		t.Fatal(err)
	}
	if err := os.WriteFile(bin+".new", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(stdin, "go\n")
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the process of a replaced binary: %v\n%s", err, out.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

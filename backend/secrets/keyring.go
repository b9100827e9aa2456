package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// indexKey is the keyring entry that lists the names stored through aisync, as a JSON
// array; go-keyring cannot enumerate a service's entries. A long index is split over
// indexKey, indexKey.1, indexKey.2, … so that no entry passes the Windows (2560 bytes) and
// macOS (~3000 bytes) size limits.
const indexKey = "__index__"

// indexChunk is the largest JSON chunk of the index kept in one entry.
const indexChunk = 1800

// probeKey is looked up (never stored) to tell "service answers" from "no service".
const probeKey = "__probe__"

// probeTimeout bounds the probe: a Secret Service that does not answer quickly is treated as
// missing rather than leaving the caller waiting on D-Bus.
const probeTimeout = 5 * time.Second

// osKeyring keeps secrets in the OS keyring under one service name.
type osKeyring struct {
	service string
	mu      sync.Mutex // serialises index updates within this process
}

func (k *osKeyring) Backend() string { return BackendKeyring }

func (k *osKeyring) Get(key string) (string, error) {
	if err := ValidName(key); err != nil {
		return "", err
	}
	v, err := keyring.Get(k.service, key)
	if err != nil {
		return "", k.wrap("read secret "+key, err)
	}
	return v, nil
}

func (k *osKeyring) Set(key, value string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := keyring.Set(k.service, key, value); err != nil {
		return k.wrap("store secret "+key, err)
	}
	names, parts, err := k.readIndex()
	if err != nil {
		return fmt.Errorf("store secret %s: %w", key, err)
	}
	if i, found := slices.BinarySearch(names, key); !found {
		if err := k.writeIndex(slices.Insert(names, i, key), parts); err != nil {
			return fmt.Errorf("store secret %s: %w", key, err)
		}
	}
	return nil
}

func (k *osKeyring) Delete(key string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	delErr := keyring.Delete(k.service, key)
	if delErr != nil && !errors.Is(delErr, keyring.ErrNotFound) {
		return k.wrap("delete secret "+key, delErr)
	}
	// The index is cleaned even when the entry was already gone (deleted by another tool).
	names, parts, err := k.readIndex()
	if err != nil {
		return fmt.Errorf("delete secret %s: %w", key, err)
	}
	if i, found := slices.BinarySearch(names, key); found {
		if err := k.writeIndex(slices.Delete(slices.Clone(names), i, i+1), parts); err != nil {
			return fmt.Errorf("delete secret %s: %w", key, err)
		}
	}
	if delErr != nil {
		return k.wrap("delete secret "+key, delErr)
	}
	return nil
}

func (k *osKeyring) List() ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	names, _, err := k.readIndex()
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	return names, nil
}

func indexPart(i int) string {
	if i == 0 {
		return indexKey
	}
	return indexKey + "." + strconv.Itoa(i)
}

// readIndex returns the sorted names in the index and how many entries hold it. It reads
// the entries until one is missing.
func (k *osKeyring) readIndex() (names []string, parts int, err error) {
	for ; ; parts++ {
		raw, err := keyring.Get(k.service, indexPart(parts))
		if errors.Is(err, keyring.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, 0, k.wrap("read keyring index", err)
		}
		var part []string
		if err := json.Unmarshal([]byte(raw), &part); err != nil {
			return nil, 0, fmt.Errorf("read keyring index %s/%s: not a JSON list of names (delete that entry to rebuild it): %w", k.service, indexPart(parts), err)
		}
		names = append(names, part...)
	}
	slices.Sort(names)
	return slices.Compact(names), parts, nil
}

// writeIndex stores names in as few entries as fit and removes the entries left over from
// a longer index (oldParts is how many there were).
func (k *osKeyring) writeIndex(names []string, oldParts int) error {
	var chunks [][]string
	var cur []string
	size := 2
	for _, n := range names {
		b, _ := json.Marshal(n)
		if len(cur) > 0 && size+len(b)+1 > indexChunk {
			chunks = append(chunks, cur)
			cur, size = nil, 2
		}
		cur = append(cur, n)
		size += len(b) + 1
	}
	if len(cur) > 0 || len(chunks) == 0 {
		chunks = append(chunks, cur)
	}
	for i, c := range chunks {
		if c == nil {
			c = []string{}
		}
		b, _ := json.Marshal(c)
		if err := keyring.Set(k.service, indexPart(i), string(b)); err != nil {
			return k.wrap("write keyring index", err)
		}
	}
	for i := len(chunks); i < oldParts; i++ {
		if err := keyring.Delete(k.service, indexPart(i)); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			return k.wrap("write keyring index", err)
		}
	}
	return nil
}

// wrap turns go-keyring's errors into this package's: ErrNotFound for a missing entry.
func (k *osKeyring) wrap(what string, err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s in the OS keyring (service %q): %w", what, k.service, err)
}

// probeWithKeyring looks up a name that is never stored: "not found" proves the service
// answers; anything else (or no answer within probeTimeout) means it is not usable.
func probeWithKeyring(service string) error {
	done := make(chan error, 1)
	go func() {
		_, err := keyring.Get(service, probeKey)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	case <-time.After(probeTimeout):
		return fmt.Errorf("the keyring did not answer within %s (is it locked and waiting for a password prompt nobody can see?)", probeTimeout)
	}
}

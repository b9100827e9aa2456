package secrets

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Memory is a Keyring held in process memory, for tests and fuzzing of code that needs
// secrets without an OS keyring. It is safe for concurrent use.
type Memory struct {
	mu   sync.Mutex
	m    map[string]string
	sets int
}

var _ Keyring = (*Memory)(nil)

// NewMemory returns an empty in-memory keyring.
func NewMemory() *Memory { return &Memory{m: map[string]string{}} }

func (k *Memory) Backend() string { return BackendMemory }

func (k *Memory) Get(key string) (string, error) {
	if err := ValidName(key); err != nil {
		return "", err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[key]
	if !ok {
		return "", fmt.Errorf("read secret %s: %w", key, ErrNotFound)
	}
	return v, nil
}

func (k *Memory) Set(key, value string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[key] = value
	k.sets++
	return nil
}

func (k *Memory) Delete(key string) error {
	if err := ValidName(key); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[key]; !ok {
		return fmt.Errorf("delete secret %s: %w", key, ErrNotFound)
	}
	delete(k.m, key)
	return nil
}

func (k *Memory) List() ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Sorted(maps.Keys(k.m)), nil
}

// Sets counts the Set calls so far, so tests can check that unchanged values are not
// written again.
func (k *Memory) Sets() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sets
}

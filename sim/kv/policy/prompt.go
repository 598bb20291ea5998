package policy

import "fmt"

// CheckPrompt refuses a prompt too short for the policy: pq learns its
// codebooks, shadowkv its low-rank keys and duo its head split on the
// prompt, so each needs at least one prompt token.
func CheckPrompt(name string, p int) error {
	switch name {
	case "pq", "shadowkv", "duo":
		if p < 1 {
			return fmt.Errorf("policy %s learns on the prompt: prompt = %d, need at least 1 prompt token (--prompt)", name, p)
		}
	}
	return nil
}

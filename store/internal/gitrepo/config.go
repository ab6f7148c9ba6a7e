package gitrepo

import "fmt"

// SetLocalConfig sets options of one subsection of the repository's own
// config (.git/config, as `git config --local` would), leaving every other
// setting as it is. It reports whether anything changed.
func (r *Repo) SetLocalConfig(section, subsection string, options [][2]string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg, err := r.repo.Config()
	if err != nil {
		return false, fmt.Errorf("read git config: %w", err)
	}
	sub := cfg.Raw.Section(section).Subsection(subsection)
	changed := false
	for _, kv := range options {
		if sub.Option(kv[0]) != kv[1] {
			sub.SetOption(kv[0], kv[1])
			changed = true
		}
	}
	if !changed {
		return false, nil
	}
	if err := r.repo.SetConfig(cfg); err != nil {
		return false, fmt.Errorf("write git config: %w", err)
	}
	return true, nil
}

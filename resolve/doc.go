// Package resolve finds the values of a scenario's secrets for local
// development: in the store's filesystem vault, in .env files and in
// HashiCorp Vault, in the order secretsctl.yaml gives.
//
// It is the in-process entry point for a scenario written in Go and the
// library behind `secretsctl get`, `env`, `run` and `set`:
//
//	st, _ := store.Open(dir, store.Options{})
//	sn, _ := st.Snapshot(store.ReadOptions{})
//	var m store.Manifest // the plan: `secretsctl plan -s picker-wheel -t local --format json`
//	_ = json.Unmarshal(planJSON, &m)
//	res, err := resolve.Resolve(ctx, sn, &m, resolve.Options{})
//	// err lists every missing required secret and where it was looked for
//	for _, v := range res.Values {
//		fmt.Println(v.Env, v.Source) // the value is v.Value
//	}
//
// # Sources
//
// The sources and their order come from the sources list of
// secretsctl.yaml ([store.SourceSpec]), which a developer may replace in
// $XDG_CONFIG_HOME/secretsctl/sources.yaml (see [LoadSources]); without
// either, [store.DefaultSources] apply. For each secret the first source
// that has it wins, and the [Value] records where it came from
// ([Provenance]): the vault file, the .env path and line, or the Vault
// address, path and version.
//
// A source that cannot be read (a .env file that does not exist, Vault
// down, a token Vault refuses) is an error naming the source, never a
// silent fallback to the next one, unless the source is marked optional.
//
// # Values
//
// Types that hold values print as [redacted]; errors never carry a value.
package resolve

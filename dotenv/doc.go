// Package dotenv reads .env files in the dialect of docker compose.
//
// A file is a sequence of lines. Blank lines and lines whose first
// non-blank character is # are ignored. Every other line assigns a
// variable:
//
//	KEY=value                  unquoted: trimmed; " #" starts a comment
//	export KEY=value           a leading export is allowed (and ignored)
//	KEY='literal $value'       single quotes: taken as they are, no escapes
//	KEY="a\tb\n${OTHER}"       double quotes: escapes and ${VAR} expansion
//	KEY="line one
//	line two"                  quoted values may span lines
//	KEY                        no "=": the variable's value from the
//	                           environment ([Options.Lookup]), if it has one
//
// Keys match [A-Za-z_][A-Za-z0-9_.-]*. In double quotes \a, \b, \f, \n,
// \r, \t, \v, \\, \" and \$ are escapes, and \0 with three octal digits
// is a code point (\0101 is "A"), as in compose; any other backslash is
// kept as it is.
//
// # Expansion
//
// Unquoted and double-quoted values expand $VAR and ${VAR}, and the forms
// ${VAR:-default} and ${VAR-default} (default when unset or empty, or
// unset), ${VAR:+alt} and ${VAR+alt} (alt when set and non-empty, or set),
// ${VAR:?message} and ${VAR?message} (an error when unset or empty, or
// unset). Defaults may themselves contain expansions. $$ is a literal $.
// A variable is looked up first through [Options.Lookup] (the
// environment), then among the ones assigned earlier in the same file, as
// docker compose does; an unknown one expands to "".
//
// # Errors
//
// A [*ParseError] names the line and what is wrong, never the value: .env
// files hold secrets, and errors end up in logs.
package dotenv

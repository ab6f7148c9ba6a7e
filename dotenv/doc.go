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
// # Differences from docker compose
//
// A fuzz target in dotenv/internal/composediff (a module of its own, run
// by make test) reads every input with this package and with compose-go's
// dotenv, docker compose's parser, and requires the same variables or an
// error from both, except where this package is stricter on purpose and
// refuses, naming the line, what compose reads:
//
//   - a variable name outside [A-Za-z_][A-Za-z0-9_.-]*: compose also takes
//     an empty name ("=x"), a leading digit, [ and ], and any Unicode
//     letter or digit, names a shell cannot set;
//   - text after a closing quote ("A='x' y"), which compose drops;
//   - a malformed ${...} expansion, which compose reads as text or as empty
//     in some forms.
//
// Braces inside an expansion are the one place where both read a file and
// may disagree: compose pairs them, this package ends the expansion at the
// first "}" (with A unset, ${A+{}0} is "" to compose and "0}" here).
// compose also reads a bare KEY on a last line without a line break as a
// variable with an empty name; this package reads it as KEY, as compose
// does when the line ends.
//
// # Errors
//
// A [*ParseError] names the line and what is wrong, never the value: .env
// files hold secrets, and errors end up in logs.
package dotenv

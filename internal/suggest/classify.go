package suggest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Rule ids of classifications.
const (
	RuleDeclaredStrategy = "declared/end-user-strategy"
	RulePeers            = "resource/peers"
	RuleDataStore        = "name/data-store"
	RuleDatabaseURL      = "name/database-url"
	RuleSigningKey       = "name/signing-key"
	RuleThirdPartyKey    = "name/third-party-api-key"
	RuleAdminCredential  = "name/admin-credential"
	RuleEndpoint         = "name/endpoint"
	RuleFallback         = "fallback/infrastructure"
)

// dataStores are resources that hold the team's data: their credentials
// and addresses are infrastructure.
var dataStores = []string{"postgres", "postgresql", "pg", "mysql", "mariadb", "redis", "mongodb", "mongo", "minio",
	"qdrant", "vault", "questdb", "elasticsearch", "opensearch", "clickhouse", "neo4j", "rabbitmq", "kafka", "nats",
	"influxdb", "couchdb", "cassandra", "memcached", "timescaledb", "supabase"}

// nameRules are tried in order on the upper-cased key; type lists the
// secret types that match the rule whatever the key.
var nameRules = []struct {
	rule  string
	class store.Classification
	key   *regexp.Regexp
	types []string
	why   string
}{
	{RuleDatabaseURL, store.Infrastructure, regexp.MustCompile(`(^|_)(DATABASE|DB|REDIS|MONGO(DB)?|POSTGRES(QL)?|MYSQL|AMQP)_URL$|_DSN$|CONNECTION_STRING`), nil,
		"a connection string of a data store"},
	{RuleSigningKey, store.Service, regexp.MustCompile(`JWT|SESSION_(SECRET|KEY)|(ENCRYPTION|SIGNING|CRYPTO|MASTER)_KEY|SECRET_KEY_BASE|COOKIE_SECRET|APP_SECRET|WEBHOOK_SECRET|HMAC|(^|_)SECRET$|_SALT$`), []string{"jwt", "uuid"},
		"a key the app signs, encrypts or verifies with, which it can generate"},
	{RuleThirdPartyKey, store.User, regexp.MustCompile(`_API_?KEY$|_API_TOKEN$|_AUTH_TOKEN$|_ACCESS_TOKEN$|(^|_)TOKEN$|ACCOUNT_SID$|_ORG(ANIZATION)?_ID$|_ACCOUNT_ID$`), []string{"api_key", "token"},
		"an API key or token of a third-party service, which belongs to the person running the app"},
	{RuleAdminCredential, store.Infrastructure, regexp.MustCompile(`PASSWORD|PASSWD|(^|_)USER(NAME)?$|ADMIN|(^|_)ROOT_|PRIVATE_KEY|CERT`), []string{"password", "rsa"},
		"an administrator's credential or a key of the team's own servers"},
	{RuleEndpoint, store.Infrastructure, regexp.MustCompile(`_(HOST|HOSTNAME|PORT|URL|ADDR|ADDRESS|ENDPOINT|SERVER|BASE_URL)$`), nil,
		"an address of the team's own deployment, which its runtime supplies"},
}

// Classified is a proposed classification and why.
type Classified struct {
	Class         store.Classification
	Rule, Because string
}

// Classify proposes a classification for secret s of owner (a resource or
// a scenario) whose siblings are the owner's other secrets.
func Classify(tiers *store.TierCatalog, owner string, s store.Secret, siblings []store.Secret) Classified {
	if c, ok := fromStrategies(tiers, s); ok {
		return c
	}
	key := strings.ToUpper(s.Key)
	if ds, ok := dataStoreOf(owner, key); ok {
		return Classified{Class: store.Infrastructure, Rule: RuleDataStore,
			Because: fmt.Sprintf("%s is a setting or credential of %s, a data store of the team's infrastructure", s.Key, ds)}
	}
	for _, r := range nameRules {
		if r.key.MatchString(key) || slices.Contains(r.types, strings.ToLower(s.Type)) {
			return Classified{Class: r.class, Rule: r.rule, Because: s.Key + " looks like " + r.why}
		}
	}
	if c, ok := fromPeers(owner, s, siblings); ok {
		return c
	}
	return Classified{Class: store.Infrastructure, Rule: RuleFallback,
		Because: "no rule matched " + s.Key + "; infrastructure never reaches an end user, so it is the safe guess"}
}

// fromStrategies reads the classification off a strategy the secret
// already has on a tier that ships to end users.
func fromStrategies(tiers *store.TierCatalog, s store.Secret) (Classified, bool) {
	for _, t := range tiers.Tiers() {
		st, ok := s.Strategies[t.ID]
		if !ok || !t.ShipsToEndUsers {
			continue
		}
		switch st.Strategy {
		case store.Generate:
			return Classified{store.Service, RuleDeclaredStrategy, "it is already generated on " + t.ID + ", which ships to end users"}, true
		case store.Prompt:
			return Classified{store.User, RuleDeclaredStrategy, "it is already prompted for on " + t.ID + ", which ships to end users"}, true
		}
	}
	return Classified{}, false
}

// fromPeers is the one classification every classified sibling shares.
func fromPeers(owner string, s store.Secret, siblings []store.Secret) (Classified, bool) {
	var class store.Classification
	n := 0
	for _, o := range siblings {
		if o.Key == s.Key || o.Classification == "" {
			continue
		}
		if class != "" && o.Classification != class {
			return Classified{}, false
		}
		class = o.Classification
		n++
	}
	if n == 0 {
		return Classified{}, false
	}
	return Classified{class, RulePeers, fmt.Sprintf("all %d classified secrets of %s are %s", n, owner, class)}, true
}

// dataStoreOf says whether owner is a data store, or key is named after
// one (POSTGRES_PASSWORD of a scenario, PGPASSWORD).
func dataStoreOf(owner, key string) (string, bool) {
	name := strings.TrimPrefix(strings.ToLower(owner), "resource-")
	if slices.Contains(dataStores, name) {
		return name, true
	}
	for _, ds := range dataStores {
		p := strings.ToUpper(ds)
		if strings.HasPrefix(key, p+"_") || (ds == "pg" && strings.HasPrefix(key, "PG")) {
			return ds, true
		}
	}
	return "", false
}

-- A handful of rows in the shape of the secrets-manager's seed.sql, each
-- exercising one mapping of `import vrooli --db`: what the store holds and
-- what it cannot (listed, never dropped).

INSERT INTO resource_secrets (resource_name, secret_key, secret_type, required, description, validation_pattern, documentation_url, classification, owner_team, owner_contact, rotation_period_days) VALUES
('postgres', 'POSTGRES_HOST', 'env_var', true, 'PostgreSQL server hostname', '^[a-zA-Z0-9.-]+$', 'https://hub.docker.com/_/postgres', 'infrastructure', 'Platform Infra', 'platform@example.com', 0),
('postgres', 'POSTGRES_PASSWORD', 'password', true, 'PostgreSQL password', '.{8,}', 'https://hub.docker.com/_/postgres', 'infrastructure', 'Platform Infra', NULL, 90),
('resource-openrouter', 'OPENROUTER_API_KEY', 'api_key', true, 'OpenRouter API key', '^sk-or-', 'https://openrouter.ai/keys', 'user', NULL, NULL, 0),
('n8n', 'N8N_ENCRYPTION_KEY', 'credential', true, 'N8N database encryption key', '(?<=x).{32,}', 'docs.n8n.io', 'service', NULL, NULL, NULL),
('n8n', 'bad key', 'env_var', false, 'a key the store cannot hold', NULL, NULL, 'service', NULL, NULL, 0),
('resource-n8n', 'N8N_ENCRYPTION_KEY', 'credential', true, 'the same secret under another spelling', NULL, NULL, 'service', NULL, NULL, 0);

UPDATE resource_secrets SET default_value = 'canary-default-value', last_rotated_at = '2026-01-01T00:00:00Z'
WHERE resource_name = 'n8n' AND secret_key = 'N8N_ENCRYPTION_KEY';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input, prompt_label, prompt_description, generator_template, bundle_hints)
SELECT id, 'tier-1-local', 'strip', false, NULL, NULL, NULL, '{"reason":"Managed by Tier 1 runtime"}'::jsonb
FROM resource_secrets WHERE secret_key = 'POSTGRES_HOST';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input, prompt_label, prompt_description, generator_template, bundle_hints)
SELECT id, 'tier-4-saas', 'generate', false, NULL, 'Generate secure database password during VPS deployment',
       '{"type":"random","length":25,"charset":"alnum"}'::jsonb, '{"class":"per_install_generated","target_type":"env","priority":2,"value":"x"}'::jsonb
FROM resource_secrets WHERE secret_key = 'POSTGRES_PASSWORD';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input, prompt_label, prompt_description, generator_template, bundle_hints)
SELECT id, 'tier-2-desktop', 'generate', false, NULL, 'Generate embedded SQLite credentials during packaging', '{"type":"file","path":"config/db.json"}'::jsonb, '{"replace":"sqlite"}'::jsonb
FROM resource_secrets WHERE secret_key = 'POSTGRES_PASSWORD';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, fallback_strategy, requires_user_input, prompt_label, prompt_description)
SELECT id, 'tier-2-desktop', 'prompt', 'strip', true, 'OpenRouter API key', 'Paste the key from openrouter.ai'
FROM resource_secrets WHERE secret_key = 'OPENROUTER_API_KEY';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input, prompt_label, prompt_description)
SELECT id, 'tier-4-saas', 'delegate', false, 'Cloud key', 'Use the provider-managed secret store.'
FROM resource_secrets WHERE secret_key = 'OPENROUTER_API_KEY';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input)
SELECT id, 'tier-9-moon', 'strip', false
FROM resource_secrets WHERE secret_key = 'OPENROUTER_API_KEY';

INSERT INTO secret_deployment_strategies (resource_secret_id, tier, handling_strategy, requires_user_input)
SELECT id, 'tier-1-local', 'strip', false
FROM resource_secrets WHERE secret_key = 'bad key';

INSERT INTO scenario_secret_strategy_overrides (scenario_name, resource_secret_id, tier, prompt_label, override_reason)
SELECT 'calendar', id, 'tier-2-desktop', 'Your OpenRouter key for calendar hints', 'calendar asks in its own words'
FROM resource_secrets WHERE secret_key = 'OPENROUTER_API_KEY';

INSERT INTO scenario_secret_strategy_overrides (scenario_name, resource_secret_id, tier, handling_strategy, generator_template)
SELECT 'calendar', id, 'tier-1-local', 'generate', '{"type":"hex","bytes":32}'::jsonb
FROM resource_secrets WHERE resource_name = 'n8n' AND secret_key = 'N8N_ENCRYPTION_KEY';

INSERT INTO scenario_secret_strategy_overrides (scenario_name, resource_secret_id, tier, handling_strategy)
SELECT 'no-such-scenario', id, 'tier-1-local', 'strip'
FROM resource_secrets WHERE secret_key = 'POSTGRES_HOST';

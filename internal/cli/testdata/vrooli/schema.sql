-- The three tables of Vrooli's secrets-manager schema that `import vrooli
-- --db` reads, with the same columns, types and constraints as the
-- secrets-manager's own initialization/storage/postgres/schema.sql. The
-- project's own fixture: the real one is only read by make vrooli-check.

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE TABLE IF NOT EXISTS resource_secrets (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    resource_name VARCHAR(100) NOT NULL,
    secret_key VARCHAR(200) NOT NULL,
    secret_type VARCHAR(50) NOT NULL CHECK (secret_type IN ('env_var', 'api_key', 'credential', 'token', 'password', 'certificate')),
    required BOOLEAN NOT NULL DEFAULT true,
    description TEXT,
    validation_pattern VARCHAR(500),
    documentation_url TEXT,
    default_value TEXT,
    classification VARCHAR(20) NOT NULL DEFAULT 'service' CHECK (classification IN ('infrastructure', 'service', 'user')),
    owner_team TEXT,
    owner_contact TEXT,
    rotation_period_days INTEGER DEFAULT 0,
    last_rotated_at TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(resource_name, secret_key)
);

CREATE TABLE IF NOT EXISTS secret_deployment_strategies (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    resource_secret_id UUID NOT NULL REFERENCES resource_secrets(id) ON DELETE CASCADE,
    tier VARCHAR(50) NOT NULL,
    handling_strategy VARCHAR(20) NOT NULL CHECK (handling_strategy IN ('strip', 'generate', 'prompt', 'delegate')),
    fallback_strategy VARCHAR(20),
    requires_user_input BOOLEAN NOT NULL DEFAULT false,
    prompt_label TEXT,
    prompt_description TEXT,
    generator_template JSONB,
    bundle_hints JSONB,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(resource_secret_id, tier)
);

CREATE TABLE IF NOT EXISTS scenario_secret_strategy_overrides (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    scenario_name VARCHAR(200) NOT NULL,
    resource_secret_id UUID NOT NULL REFERENCES resource_secrets(id) ON DELETE CASCADE,
    tier VARCHAR(50) NOT NULL,
    handling_strategy VARCHAR(20) CHECK (handling_strategy IS NULL OR handling_strategy IN ('strip', 'generate', 'prompt', 'delegate')),
    fallback_strategy VARCHAR(20),
    requires_user_input BOOLEAN,
    prompt_label TEXT,
    prompt_description TEXT,
    generator_template JSONB,
    bundle_hints JSONB,
    override_reason TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(scenario_name, resource_secret_id, tier)
);

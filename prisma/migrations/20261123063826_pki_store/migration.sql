-- CreateTable
CREATE TABLE "tls_keys" (
    "id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "active_slot" TEXT,
    "key_type" TEXT NOT NULL,
    "private_key_sealed" BYTEA NOT NULL,
    "public_key_sha256" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "alt_names" TEXT[],
    "csr_pem" TEXT,
    "certificate_pem" TEXT,
    "chain_pem" TEXT[],
    "origin" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMP(3),

    CONSTRAINT "tls_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ssh_host_keys" (
    "kind" TEXT NOT NULL,
    "private_key_sealed" BYTEA NOT NULL,
    "public_key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ssh_host_keys_pkey" PRIMARY KEY ("kind")
);

-- CreateIndex
CREATE UNIQUE INDEX "tls_keys_active_slot_key" ON "tls_keys"("active_slot");

-- CreateIndex
CREATE UNIQUE INDEX "tls_keys_public_key_sha256_key" ON "tls_keys"("public_key_sha256");

-- CreateIndex
CREATE INDEX "tls_keys_status_idx" ON "tls_keys"("status");


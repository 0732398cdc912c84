-- CreateTable
CREATE TABLE "notice_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "scope" JSONB NOT NULL,
    "action" JSONB NOT NULL,
    "batch_seconds" INTEGER,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notice_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notice_deliveries" (
    "id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "due_at" TIMESTAMP(3) NOT NULL,
    "claimed_until" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "latency_ms" INTEGER,
    "test" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMP(3),

    CONSTRAINT "notice_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notice_items" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "rule_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "ended_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "notice_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notice_rules_name_key" ON "notice_rules"("name");

-- CreateIndex
CREATE UNIQUE INDEX "notice_deliveries_key_key" ON "notice_deliveries"("key");

-- CreateIndex
CREATE INDEX "notice_deliveries_status_due_at_idx" ON "notice_deliveries"("status", "due_at");

-- CreateIndex
CREATE INDEX "notice_deliveries_rule_id_created_at_idx" ON "notice_deliveries"("rule_id", "created_at");

-- CreateIndex
CREATE INDEX "notice_items_delivery_id_idx" ON "notice_items"("delivery_id");

-- CreateIndex
CREATE UNIQUE INDEX "notice_items_event_id_rule_id_key" ON "notice_items"("event_id", "rule_id");

-- AddForeignKey
ALTER TABLE "notice_deliveries" ADD CONSTRAINT "notice_deliveries_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "notice_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notice_items" ADD CONSTRAINT "notice_items_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "notice_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "admin" BOOLEAN NOT NULL DEFAULT false,
    "home_folder" TEXT NOT NULL,
    "privileges" TEXT[],
    "password_login_disabled" BOOLEAN NOT NULL DEFAULT false,
    "folder_set_id" UUID,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "last_login_at" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "public_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "key_data" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL DEFAULT 'cli',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "public_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "folder_sets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "folder_sets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "folder_set_rules" (
    "id" UUID NOT NULL,
    "folder_set_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "privileges" TEXT[],

    CONSTRAINT "folder_set_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "login_throttles" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "window_start_at" TIMESTAMP(3) NOT NULL,
    "locked_until" TIMESTAMP(3),

    CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "public_keys_fingerprint_key" ON "public_keys"("fingerprint");

-- CreateIndex
CREATE INDEX "public_keys_user_id_idx" ON "public_keys"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "folder_sets_name_key" ON "folder_sets"("name");

-- CreateIndex
CREATE UNIQUE INDEX "folder_set_rules_folder_set_id_path_key" ON "folder_set_rules"("folder_set_id", "path");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_folder_set_id_fkey" FOREIGN KEY ("folder_set_id") REFERENCES "folder_sets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "public_keys" ADD CONSTRAINT "public_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "folder_set_rules" ADD CONSTRAINT "folder_set_rules_folder_set_id_fkey" FOREIGN KEY ("folder_set_id") REFERENCES "folder_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Counts were keyed by user or by address alone. They cannot become (address, user) pairs, as a
-- user count has no address. They are short-lived (a window of minutes), so they are forgotten:
-- a lock that held ends early, once, at the upgrade.
DELETE FROM "login_throttles";

-- AlterTable
ALTER TABLE "login_throttles" DROP CONSTRAINT "login_throttles_pkey",
DROP COLUMN "key",
ADD COLUMN     "address" TEXT NOT NULL,
ADD COLUMN     "known_user" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "last_failed_at" TIMESTAMP(3) NOT NULL,
ADD COLUMN     "username" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("address", "username");

-- CreateIndex
CREATE INDEX "login_throttles_username_idx" ON "login_throttles"("username");

-- CreateIndex
CREATE INDEX "login_throttles_known_user_last_failed_at_idx" ON "login_throttles"("known_user", "last_failed_at");

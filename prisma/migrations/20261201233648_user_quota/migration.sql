-- AlterTable
ALTER TABLE "users" ADD COLUMN     "quota_bytes" BIGINT;

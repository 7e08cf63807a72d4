using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FollowerCursor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "follower_cursors",
                columns: table => new
                {
                    database = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    last_row_id = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_rehash_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_full_rehash_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_follower_cursors", x => x.database);
                });

            migrationBuilder.CreateTable(
                name: "follower_skipped_rows",
                columns: table => new
                {
                    database = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    row_id = table.Column<long>(type: "bigint", nullable: false),
                    file_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    first_skipped_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_follower_skipped_rows", x => new { x.database, x.row_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_follower_skipped_rows_database_next_attempt_at",
                table: "follower_skipped_rows",
                columns: new[] { "database", "next_attempt_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "follower_cursors");

            migrationBuilder.DropTable(
                name: "follower_skipped_rows");
        }
    }
}

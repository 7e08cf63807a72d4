using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WorkList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "wanted_files",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    upstream = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    dataset = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    checksum = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    upstream_ingested_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    held_checksum = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    wanted_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_wanted_files", x => x.name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_wanted_files_next_attempt_at",
                table: "wanted_files",
                column: "next_attempt_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "wanted_files");
        }
    }
}

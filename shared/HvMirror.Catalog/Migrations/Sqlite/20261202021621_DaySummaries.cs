using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DaySummaries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_results",
                columns: table => new
                {
                    upstream = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    checked_at = table.Column<long>(type: "INTEGER", nullable: false),
                    from_day = table.Column<long>(type: "INTEGER", nullable: false),
                    until_day = table.Column<long>(type: "INTEGER", nullable: false),
                    expected = table.Column<long>(type: "INTEGER", nullable: false),
                    in_sync = table.Column<long>(type: "INTEGER", nullable: false),
                    missing = table.Column<long>(type: "INTEGER", nullable: false),
                    stale = table.Column<long>(type: "INTEGER", nullable: false),
                    extra = table.Column<long>(type: "INTEGER", nullable: false),
                    days_complete = table.Column<int>(type: "INTEGER", nullable: false),
                    days_incomplete = table.Column<int>(type: "INTEGER", nullable: false),
                    oldest_missing_day = table.Column<long>(type: "INTEGER", nullable: true),
                    days = table.Column<string>(type: "TEXT", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_results", x => new { x.upstream, x.dataset });
                });

            migrationBuilder.CreateTable(
                name: "day_summaries",
                columns: table => new
                {
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    files = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    digest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_day_summaries", x => new { x.dataset, x.day });
                });

            migrationBuilder.CreateIndex(
                name: "IX_files_dataset_observed_at",
                table: "files",
                columns: new[] { "dataset", "observed_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_results");

            migrationBuilder.DropTable(
                name: "day_summaries");

            migrationBuilder.DropIndex(
                name: "IX_files_dataset_observed_at",
                table: "files");
        }
    }
}

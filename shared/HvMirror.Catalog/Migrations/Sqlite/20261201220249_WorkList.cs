using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Sqlite
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
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    upstream = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    checksum = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    upstream_ingested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    held_checksum = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    wanted_since = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false)
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

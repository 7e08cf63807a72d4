using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCatalog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "datasets",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    last_ingested_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_datasets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "files",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    archive_path = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    checksum = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    observed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    ingested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    upstream = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    upstream_ingested_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_files", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "mirror_cursors",
                columns: table => new
                {
                    upstream = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mirror_cursors", x => new { x.upstream, x.dataset });
                });

            migrationBuilder.CreateIndex(
                name: "IX_files_dataset_ingested_at",
                table: "files",
                columns: new[] { "dataset", "ingested_at" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_files_name",
                table: "files",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "datasets");

            migrationBuilder.DropTable(
                name: "files");

            migrationBuilder.DropTable(
                name: "mirror_cursors");
        }
    }
}

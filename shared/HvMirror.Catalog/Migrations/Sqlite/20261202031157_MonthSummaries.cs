using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MonthSummaries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "month_summaries",
                columns: table => new
                {
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    month = table.Column<long>(type: "INTEGER", nullable: false),
                    days = table.Column<int>(type: "INTEGER", nullable: false),
                    files = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    digest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_month_summaries", x => new { x.dataset, x.month });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "month_summaries");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HvMirror.Catalog.Migrations.Postgres
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
                    dataset = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    month = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    days = table.Column<int>(type: "integer", nullable: false),
                    files = table.Column<long>(type: "bigint", nullable: false),
                    bytes = table.Column<long>(type: "bigint", nullable: false),
                    digest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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

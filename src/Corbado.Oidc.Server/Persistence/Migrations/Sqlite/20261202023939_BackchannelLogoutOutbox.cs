using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Corbado.Oidc.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BackchannelLogoutOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BackchannelLogouts",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Sid = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastFailure = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BackchannelLogouts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BackchannelLogouts_DueAt",
                table: "BackchannelLogouts",
                column: "DueAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BackchannelLogouts");
        }
    }
}

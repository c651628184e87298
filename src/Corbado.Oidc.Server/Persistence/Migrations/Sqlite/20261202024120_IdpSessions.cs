using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Corbado.Oidc.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IdpSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "IdpSessions",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    Sid = table.Column<string>(type: "TEXT", unicode: false, maxLength: 43, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    AuthTime = table.Column<long>(type: "INTEGER", nullable: false),
                    Amr = table.Column<string>(type: "TEXT", unicode: false, maxLength: 100, nullable: false),
                    ClientIds = table.Column<string>(type: "TEXT", unicode: false, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IdleExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdpSessions", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_IdpSessions_ExpiresAt",
                table: "IdpSessions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_IdpSessions_Sid",
                table: "IdpSessions",
                column: "Sid",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_IdpSessions_Subject",
                table: "IdpSessions",
                column: "Subject");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IdpSessions");
        }
    }
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Corbado.Oidc.Server.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReferenceAuthorizationCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AuthorizationCodes",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    Payload = table.Column<string>(type: "text", unicode: false, nullable: false),
                    GrantId = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false),
                    RedeemedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuthorizationCodes", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuthorizationCodes_ExpiresAt",
                table: "AuthorizationCodes",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuthorizationCodes");
        }
    }
}

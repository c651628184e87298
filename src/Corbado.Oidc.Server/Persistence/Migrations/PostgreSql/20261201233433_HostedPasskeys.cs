using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Corbado.Oidc.Server.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class HostedPasskeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PasskeyCeremonies",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    RequestKey = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", unicode: false, maxLength: 16, nullable: false),
                    Options = table.Column<string>(type: "text", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasskeyCeremonies", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "PasskeyCredentials",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(1400)", unicode: false, maxLength: 1400, nullable: false),
                    Subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    UserHandle = table.Column<byte[]>(type: "bytea", nullable: false),
                    PublicKey = table.Column<byte[]>(type: "bytea", nullable: false),
                    SignCount = table.Column<long>(type: "bigint", nullable: false),
                    Transports = table.Column<string>(type: "character varying(200)", unicode: false, maxLength: 200, nullable: false),
                    IsBackupEligible = table.Column<bool>(type: "boolean", nullable: false),
                    IsBackedUp = table.Column<bool>(type: "boolean", nullable: false),
                    AaGuid = table.Column<Guid>(type: "uuid", nullable: false),
                    AttestationFormat = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    LastUsedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasskeyCredentials", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PasskeyRequests",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", unicode: false, maxLength: 16, nullable: false),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    ExpiresAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PasskeyRequests", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PasskeyCeremonies_ExpiresAt",
                table: "PasskeyCeremonies",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_PasskeyCredentials_Subject",
                table: "PasskeyCredentials",
                column: "Subject");

            migrationBuilder.CreateIndex(
                name: "IX_PasskeyRequests_ExpiresAt",
                table: "PasskeyRequests",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PasskeyCeremonies");

            migrationBuilder.DropTable(
                name: "PasskeyCredentials");

            migrationBuilder.DropTable(
                name: "PasskeyRequests");
        }
    }
}

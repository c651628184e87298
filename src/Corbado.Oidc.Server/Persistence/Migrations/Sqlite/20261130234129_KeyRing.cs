using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Corbado.Oidc.Server.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KeyRing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ActivatesAt",
                table: "KeyMaterial",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "KeyMaterial",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedBy",
                table: "KeyMaterial",
                type: "TEXT",
                unicode: false,
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetiresAt",
                table: "KeyMaterial",
                type: "INTEGER",
                nullable: true);

            // Keys written before rotation existed have been in use since they were created.
            migrationBuilder.Sql("UPDATE \"KeyMaterial\" SET \"ActivatesAt\" = \"CreatedAt\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ActivatesAt",
                table: "KeyMaterial");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "KeyMaterial");

            migrationBuilder.DropColumn(
                name: "ProtectedBy",
                table: "KeyMaterial");

            migrationBuilder.DropColumn(
                name: "RetiresAt",
                table: "KeyMaterial");
        }
    }
}

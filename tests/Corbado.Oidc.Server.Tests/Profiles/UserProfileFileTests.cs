using Corbado.Oidc.Server.Admin;

namespace Corbado.Oidc.Server.Tests.Profiles;

public sealed class UserProfileFileTests
{
    [Fact]
    public void ReadCsv_QuotedFieldsAndEmptyValues_ParsesEachRow()
    {
        const string csv = "sub,email,email_verified,name\r\nu1,a@example.com,true,\"Lovelace, Ada \"\"The Countess\"\"\"\nu2,,,\n";

        var profiles = UserProfileFile.ReadCsv(csv);

        Assert.Equal(2, profiles.Count);
        Assert.Equal("Lovelace, Ada \"The Countess\"", profiles[0].Name);
        Assert.True(profiles[0].EmailVerified);
        Assert.Null(profiles[1].Email);
        Assert.Null(profiles[1].EmailVerified);
    }

    [Theory]
    [InlineData("sub,emial\nu1,x@example.com\n", "emial")]
    [InlineData("email\nx@example.com\n", "'sub' is required")]
    [InlineData("sub,email_verified\nu1,yes\n", "email_verified")]
    [InlineData("sub,email\nu1\n", "Line 2")]
    public void ReadCsv_BadInput_ThrowsNamingTheProblem(string csv, string expected)
    {
        var exception = Assert.Throws<FormatException>(() => UserProfileFile.ReadCsv(csv));

        Assert.Contains(expected, exception.Message);
    }

    [Fact]
    public void ReadJson_ArrayOfObjects_ParsesBooleansAndNulls()
    {
        var profiles = UserProfileFile.ReadJson("""[{"sub":"u1","email":"a@example.com","email_verified":false,"locale":null}]""");

        var profile = Assert.Single(profiles);
        Assert.False(profile.EmailVerified);
        Assert.Null(profile.Locale);
    }
}

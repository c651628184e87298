namespace Corbado.Oidc.Core.Options;

/// <summary>A relying party seeded from configuration (<c>Clients:N:…</c>) or registered by the command line.</summary>
public sealed class ClientRegistration
{
    /// <summary>The configuration section holding the list of clients.</summary>
    public const string SectionName = "Clients";

    /// <summary>Required. The client id the relying party sends.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret; stored hashed. Absent means a public client (PKCE then required).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Required. Exact redirect URIs (no wildcards, compared exactly).</summary>
    public List<string> RedirectUris { get; set; } = [];

    /// <summary>A name for people.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Require PKCE (S256) even for this confidential client.</summary>
    public bool RequirePkce { get; set; }
}

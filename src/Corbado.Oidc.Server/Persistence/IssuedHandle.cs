namespace Corbado.Oidc.Server.Persistence;

/// <summary>A stored handle: what it stands for (empty once redeemed), its grant id, and whether it was redeemed.</summary>
public sealed record IssuedHandle(string Payload, string GrantId, bool Redeemed);

namespace Corbado.Oidc.Core.Claims;

/// <summary>Reads profiles by subject.</summary>
public interface IUserProfileStore
{
    /// <summary>The profile of <paramref name="subject"/>, or null when the operator has none.</summary>
    ValueTask<UserProfile?> FindAsync(string subject, CancellationToken cancellationToken);
}

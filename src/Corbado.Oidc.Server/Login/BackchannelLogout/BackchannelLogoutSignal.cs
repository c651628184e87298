namespace Corbado.Oidc.Server.Login.BackchannelLogout;

/// <summary>
/// Wakes this replica's <see cref="BackchannelLogoutSender"/> when outbox rows were committed here, so a logout reaches
/// the relying parties at once instead of at the next poll (which still finds the rows other replicas wrote).
/// </summary>
public sealed class BackchannelLogoutSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Asks the sender to look for due deliveries now; wakes coalesce.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one pass takes every due row.
        }
    }

    /// <summary>Waits until <see cref="Wake"/> or until <paramref name="timeout"/> has passed.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);
}

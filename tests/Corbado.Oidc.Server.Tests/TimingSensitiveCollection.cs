namespace Corbado.Oidc.Server.Tests;

/// <summary>
/// Tests whose claim depends on wall-clock time (a key rotation's lead time across replicas, a login finishing within a
/// second while a relying party hangs). xunit.runner.json lets four tests run at once; these run after the others, alone,
/// so that neighbours on two cores cannot make them late.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitiveCollection
{
    public const string Name = "Timing-sensitive";
}

using System.Collections.Concurrent;

namespace Corbado.Oidc.Server.Persistence;

/// <summary>
/// An EF compiled query for the login path, compiled once per provider's context type: a compiled query is bound to
/// the model it first ran against, and SQLite and PostgreSQL contexts can live in one process (tests, tools). Compiling
/// spares EF its expression funcletizing and query-cache lookup on every call (docs/benchmarks.md).
/// </summary>
internal sealed class CompiledPerProvider<TQuery>(Func<TQuery> compile) where TQuery : Delegate
{
    private readonly ConcurrentDictionary<Type, TQuery> _byContextType = new();

    public TQuery For(OidcDbContext context) => _byContextType.GetOrAdd(context.GetType(), _ => compile());
}

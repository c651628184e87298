namespace Corbado.Oidc.Testing;

/// <summary>Files of the repository the tests run from (documents, deployment files), found from the test's directory.</summary>
public static class RepositoryFiles
{
    /// <summary>The directory holding <c>Corbado.Oidc.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Corbado.Oidc.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Corbado.Oidc.sln not found above " + AppContext.BaseDirectory);
    }
}

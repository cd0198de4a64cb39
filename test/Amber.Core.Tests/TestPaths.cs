namespace Amber.Core.Tests;

/// <summary>Finds the repository and the shared vector folder beside it, wherever the test binary runs from.</summary>
internal static class TestPaths
{
    /// <summary>The repository root (the folder holding Amber.slnx), or null.</summary>
    public static string? RepositoryRoot => FindUp(static d => File.Exists(Path.Combine(d, "Amber.slnx")));

    /// <summary>The repository root; skips the calling test if the binary runs outside a clone.</summary>
    public static string RequireRepositoryRoot()
    {
        var root = RepositoryRoot;
        if (root is null)
        {
            Assert.Skip($"Repository not found: no Amber.slnx above {AppContext.BaseDirectory}; run the tests from a clone.");
        }

        return root;
    }

    /// <summary>
    /// The shared folder (<c>&lt;clone&gt;/../shared</c>) that holds third-party test vectors, or null. The
    /// vectors are never copied into the repository, so tests that need them skip when it is absent.
    /// </summary>
    public static string? SharedFolder
    {
        get
        {
            var holder = FindUp(static d => Directory.Exists(Path.Combine(d, "shared", "vectors")));
            return holder is null ? null : Path.Combine(holder, "shared");
        }
    }

    /// <summary>The folder <c>shared/vectors/<paramref name="name"/></c>; skips the calling test if it is absent.</summary>
    public static string RequireVectors(string name)
    {
        var shared = SharedFolder;
        if (shared is null)
        {
            Assert.Skip($"../shared is missing: no shared/vectors folder beside the repository (expected <clone>/../shared/vectors/{name}, searched upwards from {AppContext.BaseDirectory}). These third-party vectors are never copied into the repository.");
        }

        var folder = Path.Combine(shared, "vectors", name);
        if (!Directory.Exists(folder))
        {
            Assert.Skip($"../shared is incomplete: {folder} does not exist.");
        }

        return folder;
    }

    private static string? FindUp(Func<string, bool> match)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (match(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

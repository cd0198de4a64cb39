namespace Amber.Transparency.Tests;

/// <summary>Finds the shared vector folder beside the repository, wherever the test binary runs from.</summary>
internal static class TestPaths
{
    /// <summary>Placeholder theory row used when the shared vectors are absent, so the theory can skip.</summary>
    public const string Missing = "(shared vectors missing)";

    /// <summary>
    /// <c>&lt;clone&gt;/../shared</c> (or <c>$AMBER_SHARED</c>), found by walking up to the folder holding
    /// Amber.slnx; null when absent. Third-party vectors are never copied into the repository.
    /// </summary>
    public static string? SharedFolder { get; } = Find();

    /// <summary>The folder <c>shared/vectors/<paramref name="name"/></c>, or null.</summary>
    public static string? VectorFolder(string name)
    {
        var folder = SharedFolder is null ? null : Path.Combine(SharedFolder, "vectors", name);
        return folder is not null && Directory.Exists(folder) ? folder : null;
    }

    /// <summary>The folder <c>shared/vectors/<paramref name="name"/></c>; skips the calling test when it is absent.</summary>
    public static string RequireVectors(string name)
    {
        var folder = VectorFolder(name);
        if (folder is null)
        {
            Assert.Skip($"../shared/vectors/{name} is not beside the repository (searched upwards from {AppContext.BaseDirectory} for Amber.slnx). These third-party vectors are never copied into the repository; CI provides them.");
        }

        return folder;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("AMBER_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Amber.slnx")))
            {
                var shared = Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}

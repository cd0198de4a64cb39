namespace Amber.Testing;

/// <summary>
/// Finds ../shared (corpus, models, vectors) beside the repository at run time. Its content is never
/// copied into the repository; tests that need it skip with a clear message when it is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The shared folder, or null when it is not beside the repository.</summary>
    public static string? Directory => Root.Value;

    public const string MissingMessage = "../shared (corpus, models, vectors) is not beside the repository; this test needs it and runs in CI, where it is present.";

    /// <summary>Shown as the single theory row when the data a theory enumerates is missing.</summary>
    public const string Missing = "(../shared missing)";

    public static string? PathTo(string relative) => Directory is null ? null : System.IO.Path.Combine(Directory, relative);

    /// <summary>The folder shared/vectors/<paramref name="name"/>, or null when it is absent.</summary>
    public static string? VectorFolder(string name)
    {
        var folder = PathTo(System.IO.Path.Combine("vectors", name));
        return folder is not null && System.IO.Directory.Exists(folder) ? folder : null;
    }

    /// <summary>The folder shared/vectors/<paramref name="name"/>; skips the calling test with a clear message when it is absent.</summary>
    public static string RequireVectors(string name)
    {
        var folder = VectorFolder(name);
        if (folder is null)
        {
            Xunit.Assert.Skip($"{MissingMessage} (needed: shared/vectors/{name}; these third-party vectors are never copied into the repository)");
        }

        return folder!;
    }

    /// <summary>The file or folder shared/samples/<paramref name="relative"/>; skips the calling test with a clear message when it is absent.</summary>
    public static string RequireSample(string relative)
    {
        var path = PathTo(System.IO.Path.Combine("samples", relative));
        if (path is null || !System.IO.Path.Exists(path))
        {
            Xunit.Assert.Skip($"{MissingMessage} (needed: shared/samples/{relative})");
        }

        return path!;
    }

    /// <summary>The model file shared/models/<paramref name="name"/>; skips the calling test with a clear message when it is absent.</summary>
    public static string RequireModel(string name)
    {
        var path = PathTo(System.IO.Path.Combine("models", name));
        if (path is null || !File.Exists(path))
        {
            Xunit.Assert.Skip($"{MissingMessage} (needed: shared/models/{name})");
        }

        return path!;
    }

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("AMBER_SHARED");
        if (!string.IsNullOrEmpty(env) && System.IO.Directory.Exists(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Amber.slnx")))
            {
                var shared = System.IO.Path.Combine(dir.Parent?.FullName ?? dir.FullName, "shared");
                return System.IO.Directory.Exists(shared) ? shared : null;
            }
        }

        return null;
    }
}

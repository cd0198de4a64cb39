using System.Diagnostics;

namespace Amber.Testing;

/// <summary>
/// The real S3 server and PostgreSQL the cluster archive's tests run against. When the environment already names
/// them (<c>AWS_ENDPOINT_URL</c>, <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AMBER_CATALOG</c>: what
/// <c>eval "$(scripts/services up)"</c> sets, as <c>.ci/run</c> does), those are used. Otherwise the repository's
/// <c>scripts/services up</c> is run once for the test process (it installs and starts a throwaway Ceph RGW and
/// PostgreSQL on 127.0.0.1) and <c>scripts/services down</c> stops them when the process exits. Where that cannot
/// work (no root to install, no Debian), the calling test is skipped with the script's reason.
/// </summary>
public static class ClusterServices
{
    private static readonly Lazy<Result> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public sealed record Endpoints(Uri S3, string Region, string Catalog);

    private sealed record Result(Endpoints? Endpoints, string? Problem);

    /// <summary>The services; skips the calling test with a clear message when they cannot be had.</summary>
    public static Endpoints Require()
    {
        var result = Started.Value;
        if (result.Endpoints is null)
        {
            Xunit.Assert.Skip("the cluster tests need a real S3 server and PostgreSQL, and `scripts/services up` could not start them: " + result.Problem);
        }

        return result.Endpoints!;
    }

    private static Result Start()
    {
        if (FromEnvironment() is { } ready)
        {
            return new Result(ready, null);
        }

        var script = Path.Combine(RepositoryRoot.Path, "scripts", "services");
        var wasUp = Run(script, "status", out _, out _) == 0;
        if (Run(script, "up", out var stdout, out var stderr) != 0)
        {
            return new Result(null, stderr.Trim().Split('\n').LastOrDefault() ?? "it failed");
        }

        if (!wasUp)
        {
            // Stopping takes seconds (the OSD flushes): leave it running on its own so the test process's exit does not wait.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Process.Start(new ProcessStartInfo("setsid", ["bash", "-c", $"'{script}' down >/dev/null 2>&1 &"]))?.Dispose();
        }

        // The AWS SDK reads its credentials from the environment, as `amber` does; the script printed them.
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("export ", StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is > 7 and var eq)
            {
                Environment.SetEnvironmentVariable(line[7..eq], line[(eq + 1)..].Trim('\''));
            }
        }

        return FromEnvironment() is { } started
            ? new Result(started, null)
            : new Result(null, "`scripts/services up` printed no AWS_ENDPOINT_URL / AMBER_CATALOG");
    }

    private static Endpoints? FromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        var catalog = Environment.GetEnvironmentVariable("AMBER_CATALOG");
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(catalog) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
        {
            return null;
        }

        var region = Environment.GetEnvironmentVariable("AWS_REGION");
        return new Endpoints(new Uri(endpoint), string.IsNullOrEmpty(region) ? "us-east-1" : region, catalog);
    }

    private static int Run(string script, string verb, out string stdout, out string stderr)
    {
        var start = new ProcessStartInfo("bash", [script, verb]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var error = process.StandardError.ReadToEndAsync();
        stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        stderr = error.GetAwaiter().GetResult();
        return process.ExitCode;
    }
}

using System.Diagnostics;
using System.Text;

namespace Amber.Torture;

/// <summary>A real amber process (the CLI build beside this tool), run to its end or killed with SIGKILL.</summary>
public static class AmberChild
{
    public sealed record Outcome(bool Killed, int ExitCode, string Output, string Error);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "amber.dll");

    /// <summary>Runs amber with the arguments; after <paramref name="killAfter"/> (if given) sends SIGKILL unless it already exited.
    /// With <paramref name="armWhen"/>, the <paramref name="killAfter"/> clock starts only once the output so far satisfies it
    /// (a kill aimed at a stage of the run, whatever the machine's load makes the stages take).</summary>
    public static Outcome Run(string archive, IReadOnlyList<string> args, TimeSpan? killAfter = null, TimeSpan? timeout = null, Func<string, bool>? armWhen = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["exec", Dll, "--archive", archive, .. args])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_TieredCompilation"] = "1";
        psi.Environment["AMBER_KEYS_DIR"] = CampaignKeys.Folder;
        var output = new StringBuilder();
        var error = new StringBuilder();
        using var child = new Process { StartInfo = psi };
        child.OutputDataReceived += (_, e) => Append(output, e.Data);
        child.ErrorDataReceived += (_, e) => Append(error, e.Data);
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        var killed = false;
        if (armWhen is not null)
        {
            while (!child.HasExited && !armWhen(Snapshot(output)))
            {
                Thread.Sleep(5);
            }
        }

        var wait = killAfter ?? timeout ?? TimeSpan.FromMinutes(10);
        if (!child.WaitForExit(wait))
        {
            child.Kill(entireProcessTree: false); // SIGKILL on Unix
            killed = killAfter is not null;
            if (!killed)
            {
                child.WaitForExit();
                throw new TimeoutException($"amber {string.Join(' ', args)} did not finish within {wait}.");
            }
        }

        child.WaitForExit();
        lock (output)
        {
            lock (error)
            {
                return new Outcome(killed, killed ? -9 : child.ExitCode, output.ToString(), error.ToString());
            }
        }
    }

    /// <summary>Runs amber to its end and fails loudly if it does not exit 0.</summary>
    public static string Must(string archive, params string[] args)
    {
        var o = Run(archive, args);
        return o.ExitCode == 0 ? o.Output : throw new InvalidOperationException($"amber {string.Join(' ', args)} exited {o.ExitCode}: {o.Error}");
    }

    private static string Snapshot(StringBuilder sb)
    {
        lock (sb)
        {
            return sb.ToString();
        }
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (sb)
        {
            sb.AppendLine(line);
        }
    }
}

using System.Runtime.InteropServices;

namespace Amber.Storage;

/// <summary>
/// Lowers the scheduling priority of the calling thread, for work that nobody waits on: the indexer and the WAL
/// checkpointer. On Linux a thread is its own scheduling entity, so raising its nice value leaves the writer and the
/// request threads first in line for the cores whenever both want them. Elsewhere this does nothing.
/// </summary>
internal static partial class BackgroundPriority
{
    /// <summary>The nice value given to background threads (0 is normal, 19 the lowest).</summary>
    public const int Nice = 10;

    /// <summary>Lowers the calling thread's priority; returns false when the platform has no per-thread nice value or refuses it.</summary>
    public static bool LowerCurrentThread(int nice = Nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        return SetPriority(0 /* PRIO_PROCESS: on Linux a thread id names one thread */, GetTid(), nice) == 0;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}

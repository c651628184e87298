using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Corbado.Oidc.Bench;

/// <summary>CPU pinning on Linux.</summary>
public static partial class CpuAffinity
{
    /// <summary>
    /// Pins the whole driver process. <see cref="Process.ProcessorAffinity"/> maps to <c>sched_setaffinity(pid)</c>,
    /// which on Linux moves only the main thread; threads that already exist (thread pool, GC, timers) are moved one by
    /// one, and threads created later inherit the mask from their creator.
    /// </summary>
    public static void PinProcess(int cpu)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("CPU pinning is implemented for Linux only.");
        }

        var mask = Mask(cpu);
        Process.GetCurrentProcess().ProcessorAffinity = (nint)mask;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), out var tid))
            {
                // A thread may have exited since the listing: ignore failures for single threads.
                _ = SchedSetAffinity(tid, sizeof(ulong), ref mask);
            }
        }
    }

    /// <summary>Pins the calling thread only.</summary>
    public static void PinCurrentThread(int cpu)
    {
        var mask = Mask(cpu);
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity to CPU {cpu} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Restores the calling thread to every CPU of the machine.</summary>
    public static void UnpinCurrentThread()
    {
        var mask = Environment.ProcessorCount >= 64 ? ulong.MaxValue : (1UL << Environment.ProcessorCount) - 1;
        _ = SchedSetAffinity(0, sizeof(ulong), ref mask);
    }

    private static ulong Mask(int cpu) => cpu is >= 0 and < 64
        ? 1UL << cpu
        : throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "CPU numbers 0 to 63 are supported.");

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpuSetSize, ref ulong mask);
}

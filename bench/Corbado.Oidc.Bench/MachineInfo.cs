using System.Runtime.InteropServices;

namespace Corbado.Oidc.Bench;

/// <summary>The machine the numbers came from (/proc/cpuinfo, nproc, memory, kernel, runtime).</summary>
public sealed record MachineInfo(string CpuModel, int CpuinfoProcessors, int Nproc, string? CpuMhz, long MemoryMb, string Kernel, string Runtime)
{
    /// <summary>The 1-minute load average (/proc/loadavg): above 2 on this machine means other work shared the CPUs.</summary>
    public static double LoadAverage()
    {
        var text = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg") : "";
        return double.TryParse(text.Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
    }

    /// <summary>Peak resident set size of this process (VmHWM in /proc/self/status), bytes; 0 where unknown.</summary>
    public static long OwnPeakResidentBytes()
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is not null && long.TryParse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), out var kb) ? kb * 1024 : 0;
    }

    public static MachineInfo Read()
    {
        string? model = null, mhz = null;
        var processors = 0;
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                {
                    continue;
                }

                var key = line[..colon].Trim();
                if (key == "processor")
                {
                    processors++;
                }
                else if (model is null && key == "model name")
                {
                    model = line[(colon + 1)..].Trim();
                }
                else if (mhz is null && key == "cpu MHz")
                {
                    mhz = line[(colon + 1)..].Trim();
                }
            }
        }

        long memoryMb = 0;
        if (File.Exists("/proc/meminfo"))
        {
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null && long.TryParse(total["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), out var kb))
            {
                memoryMb = kb / 1024;
            }
        }

        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription;
        return new MachineInfo(model ?? "unknown", processors, Environment.ProcessorCount, mhz, memoryMb, kernel, RuntimeInformation.FrameworkDescription);
    }
}

using Eddy.Loop;

namespace Eddy.Net;

/// <summary>Settings of a <see cref="StreamServer"/>, on top of each connection's <see cref="StreamOptions"/>.</summary>
public sealed class ServerOptions : StreamOptions
{
    /// <summary>512: Kestrel's listen backlog (nginx uses 511).</summary>
    public const int DefaultBacklog = 512;

    /// <summary>30 seconds: the .NET Generic Host's shutdown timeout, which Kestrel honours.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(30);

    /// <summary>How many connections the kernel queues before the server accepts them.</summary>
    public int Backlog { get; set; } = DefaultBacklog;

    /// <summary>
    /// The most connections open at once, across all loops; null for no limit (Kestrel's default).
    /// At the limit the server stops accepting: new connections wait in the backlog.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Serve on every loop of this group instead of the current loop only. Connections are spread
    /// over the loops; each stays on its loop for life.
    /// </summary>
    public LoopGroup? LoopGroup { get; set; }

    /// <summary>
    /// With a <see cref="LoopGroup"/>: give each loop its own listening socket on the same port
    /// (SO_REUSEPORT; the kernel spreads connections). When false, the first loop accepts and
    /// hands each connection to the next loop in turn.
    /// </summary>
    public bool ReusePort { get; set; } = true;

    /// <summary>How long <see cref="StreamServer.DisposeAsync"/> lets handlers finish; <see cref="DefaultShutdownGrace"/> by default.</summary>
    public TimeSpan ShutdownGrace { get; set; } = DefaultShutdownGrace;

    internal new void Validate()
    {
        base.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        if (MaxConnections is < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "MaxConnections must be at least 1, or null for no limit.");
    }
}

/// <summary>Settings of an outgoing connection.</summary>
public sealed class ConnectOptions : StreamOptions
{
    /// <summary>
    /// 30 seconds: long enough for a slow network, short enough that a dead address fails in
    /// human time (the operating system's own limit is about two minutes).
    /// </summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long to try each address before giving up on it.</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;
}

using HvMirror.Node;

// The poller host of distributed mode: per configured upstream and dataset, reads /hapi/data from its cursor and publishes FileAnnounced (queue file-announced).
return await HvMirrorNode.RunHostAsync(args, "hvmirror-poller", NodeRoles.Poller);

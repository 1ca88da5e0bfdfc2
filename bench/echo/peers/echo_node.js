// Node `net` TCP echo server on 127.0.0.1:PORT.
// Usage: node echo_node.js PORT
'use strict';
const net = require('net');

const port = Number(process.argv[2]);
const server = net.createServer({ noDelay: true }, (socket) => {
  // write() queues whatever the kernel does not take, so partial writes are safe.
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => {}); // reset by the peer: 'close' follows
});
server.listen({ port, host: '127.0.0.1', backlog: 1024 });

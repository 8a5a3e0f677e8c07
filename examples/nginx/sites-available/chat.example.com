upstream chat_backend {
    server 127.0.0.1:8000;
}

server {
    listen 80;
    server_name chat.example.com;

    root /srv/chat/public;

    # Every proxied request should carry these.
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;

    location / {
        try_files $uri /index.html;
    }

    location ~ ^/api/ {
        proxy_pass http://chat_backend;
    }

    # Real-time messages.
    location /api/ws/ {
        proxy_pass http://chat_backend;
        proxy_set_header X-Request-Id $request_id;
    }
}

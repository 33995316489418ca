# The dashboard (default command) or the API server (compose.yaml's `api`), as a non-root user.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN pip install --no-deps . && useradd --create-home --uid 10001 explorer
USER explorer
ENV CENTROID_EXPLORER_DATA=/home/explorer/data
EXPOSE 8501 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# 0.0.0.0 inside the container; who may reach it is decided by the published port (see compose.yaml).
CMD ["python", "-m", "streamlit", "run", "dashboard.py", "--server.address", "0.0.0.0", "--server.port", "8501"]

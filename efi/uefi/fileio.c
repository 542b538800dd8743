// SPDX-License-Identifier: MIT
#include "uefi/fileio.h"
#include <efilib.h>

static EFI_FILE_HANDLE dir;   /* \weakbit */

int fio_init(EFI_HANDLE image)
{
    EFI_LOADED_IMAGE *li = NULL;
    EFI_FILE_IO_INTERFACE *fs = NULL;
    EFI_FILE_HANDLE root = NULL;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li)
        return -1;
    if (BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs) != EFI_SUCCESS || !fs)
        return -1;
    if (fs->OpenVolume(fs, &root) != EFI_SUCCESS)
        return -1;
    EFI_STATUS st = root->Open(root, &dir, L"\\weakbit",
                               EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE,
                               EFI_FILE_DIRECTORY);
    root->Close(root);
    if (st != EFI_SUCCESS)
        dir = NULL;
    return dir ? 0 : -1;
}

int fio_ready(void)
{
    return dir != NULL;
}

static EFI_FILE_HANDLE open_file(const CHAR16 *name, UINT64 mode)
{
    EFI_FILE_HANDLE f = NULL;
    if (!dir || dir->Open(dir, &f, (CHAR16 *)name, mode, 0) != EFI_SUCCESS)
        return NULL;
    return f;
}

long fio_read(const CHAR16 *name, char *buf, unsigned long cap)
{
    EFI_FILE_HANDLE f = open_file(name, EFI_FILE_MODE_READ);
    if (!f || cap == 0)
        return -1;
    UINTN n = cap - 1;
    EFI_STATUS st = f->Read(f, &n, buf);
    f->Close(f);
    if (st != EFI_SUCCESS)
        return -1;
    buf[n] = 0;
    return (long)n;
}

long fio_read_at(const CHAR16 *name, unsigned long long off, char *buf, unsigned long cap)
{
    EFI_FILE_HANDLE f = open_file(name, EFI_FILE_MODE_READ);
    if (!f)
        return -1;
    UINTN n = cap;
    EFI_STATUS st = f->SetPosition(f, off);
    if (st == EFI_SUCCESS)
        st = f->Read(f, &n, buf);
    f->Close(f);
    return st == EFI_SUCCESS ? (long)n : -1;
}

long long fio_size(const CHAR16 *name)
{
    EFI_FILE_HANDLE f = open_file(name, EFI_FILE_MODE_READ);
    if (!f)
        return -1;
    UINT64 pos = 0;
    if (f->SetPosition(f, 0xFFFFFFFFFFFFFFFFull) != EFI_SUCCESS || f->GetPosition(f, &pos) != EFI_SUCCESS)
        pos = 0;
    f->Close(f);
    return (long long)pos;
}

static int write_all(EFI_FILE_HANDLE f, const char *data, unsigned long len)
{
    while (len) {
        UINTN n = len;
        if (f->Write(f, &n, (void *)data) != EFI_SUCCESS || n == 0)
            return -1;
        data += n;
        len -= n;
    }
    return f->Flush(f) == EFI_SUCCESS ? 0 : -1;
}

int fio_append(const CHAR16 *name, const char *data, unsigned long len)
{
    EFI_FILE_HANDLE f = open_file(name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE);
    if (!f)
        return -1;
    int rc = f->SetPosition(f, 0xFFFFFFFFFFFFFFFFull) == EFI_SUCCESS ? write_all(f, data, len) : -1;
    f->Close(f);
    return rc;
}

int fio_replace(const CHAR16 *name, const char *data, unsigned long len)
{
    EFI_FILE_HANDLE f = open_file(name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE);
    if (f)
        f->Delete(f);   /* closes the handle too */
    f = open_file(name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE);
    if (!f)
        return -1;
    int rc = write_all(f, data, len);
    f->Close(f);
    return rc;
}
